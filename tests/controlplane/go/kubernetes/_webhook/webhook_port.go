// Adds a -webhook-port flag to the workload identity webhook: build.sh builds
// the webhook from a copy of its pinned module with this file added to the main
// package (cmd/webhook). Upstream always serves admission requests on
// controller-runtime's default port, 9443, so only one webhook could run per
// machine; a port of its own per control plane lets several run side by side.
// The directory name starts with "_" so that `go build ./...` here leaves it out.
package main

import (
	"flag"

	"sigs.k8s.io/controller-runtime/pkg/webhook"
)

func init() {
	flag.IntVar(&webhook.DefaultPort, "webhook-port", webhook.DefaultPort,
		"The port the webhook server serves admission requests on")
}
