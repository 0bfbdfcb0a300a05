package main

import (
	"log/slog"

	"github.com/visiond/visiond/internal/sdnotify"
)

// notifySystemd reports the daemon's state to systemd when it runs as a Type=notify service;
// a failure is logged, as the daemon serves all the same.
func notifySystemd(log *slog.Logger, state string) {
	if err := sdnotify.Notify(state); err != nil {
		log.Warn("telling systemd", "state", state, "error", err)
	}
}
