package notify

import "testing"

func TestPublishCoalescesAndUnsubscribes(t *testing.T) {
	var h Hub
	a, stopA := h.Subscribe()
	b, stopB := h.Subscribe()
	h.Publish()
	h.Publish() // coalesced: still one pending signal
	for _, c := range []<-chan struct{}{a, b} {
		select {
		case <-c:
		default:
			t.Fatal("no signal after Publish")
		}
		select {
		case <-c:
			t.Fatal("two signals for coalesced publishes")
		default:
		}
	}
	stopA()
	h.Publish()
	select {
	case <-a:
		t.Fatal("signal after unsubscribe")
	default:
	}
	select {
	case <-b:
	default:
		t.Fatal("remaining subscriber got nothing")
	}
	stopB()
}
