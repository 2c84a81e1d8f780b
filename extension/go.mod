// The extension holds no Go. This file makes extension/ a module of its
// own, so that `go test ./...` and `go vet ./...` from the repository root
// stay out of extension/node_modules (npm packages may ship Go code).
module github.com/mindful-app/mindful/extension

go 1.26
