package e2e

import (
	"testing"
)

const ffPromptPage = ffOrigin + "/src/pages/prompt/prompt.html"

// ffWaitRules waits until the extension has turned the daemon's feeds into
// declarativeNetRequest redirects (waitPageRules); page is any mindful page.
func ffWaitRules(t testing.TB, page *ffTab) {
	t.Helper()
	waitPageRules(t, firefoxTab{page})
}

// ffWaitState waits until the daemon state cached by the extension
// satisfies cond (waitPageState).
func ffWaitState(t testing.TB, page *ffTab, what, cond string) {
	t.Helper()
	waitPageState(t, firefoxTab{page}, what, cond)
}

// ffOnPrompt waits until the Firefox tab shows the prompt page for feed.
func ffOnPrompt(t testing.TB, page *ffTab, feed string) {
	t.Helper()
	onPromptIn(t, &firefoxLaunch{}, firefoxTab{page}, feed)
}

func ffAfterPause(t testing.TB, page *ffTab) {
	t.Helper()
	afterPauseIn(t, firefoxTab{page})
}
