package proc

import (
	"fmt"
	"slices"
	"testing"
)

func TestLogWakesWaiters(t *testing.T) {
	var l Log // the zero value is ready
	grown := l.next()
	select {
	case <-grown:
		t.Fatal("woken before any Write")
	default:
	}
	fmt.Fprintln(&l, "mindful daemon listening")
	<-grown // a Write wakes whoever waits
	if got := l.String(); got != "mindful daemon listening\n" {
		t.Errorf("String() = %q", got)
	}
	if again := l.next(); again == grown {
		t.Error("next returned a channel that is already closed")
	}
}

func TestWithout(t *testing.T) {
	env := []string{"HOME=/h", "MINDFUL_ADDR=127.0.0.1:1", "MINDFUL_LOG=info", "MINDFUL_LOGX=1", "PATH=/bin"}
	got := without(env, "MINDFUL_ADDR", "MINDFUL_DATA_DIR", "MINDFUL_LOG")
	if want := []string{"HOME=/h", "MINDFUL_LOGX=1", "PATH=/bin"}; !slices.Equal(got, want) {
		t.Errorf("without = %q, want %q", got, want)
	}
}
