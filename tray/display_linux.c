//go:build linux && !notray

#include <gtk/gtk.h>
#include <stdint.h>
#include "_cgo_export.h"

// gtk_init_check returns FALSE where gtk_init would print "cannot open
// display" and exit(1), taking the daemon with it.
int mindful_gtk_init_check(void) {
	return gtk_init_check(NULL, NULL) ? 1 : 0;
}

static gboolean mindful_idle(gpointer p) {
	mindfulOnMain((uintptr_t)p);
	return G_SOURCE_REMOVE;
}

void mindful_on_main(uintptr_t h) {
	g_idle_add(mindful_idle, (gpointer)h);
}
