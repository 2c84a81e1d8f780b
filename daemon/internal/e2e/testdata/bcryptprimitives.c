/* Test setup only, never shipped: Go >= 1.24 asks bcryptprimitives.dll for
 * ProcessPrng, which Wine 8.0 lacks. This stand-in fills the buffer with
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has. The Windows
 * journey (windows_test.go) builds it with mingw-w64 and puts it in its
 * Wine prefix's system32. See docs/building.md. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
