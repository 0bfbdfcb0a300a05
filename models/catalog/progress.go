package catalog

// Transfer is the progress of one file a Puller handles, for its Progress callback.
type Transfer struct {
	// Name is the file (or downloaded archive) being transferred.
	Name string
	// Done is the number of bytes transferred so far; Total the expected number (0 or less:
	// unknown).
	Done, Total int64
	// Outcome is empty while the transfer runs, then "installed", "downloaded", "up to date"
	// or "failed".
	Outcome string
}

// transfer counts the bytes written to it and reports them.
type transfer struct {
	Transfer
	report func(Transfer)
}

// newTransfer starts reporting a transfer to report (nil: nowhere).
func newTransfer(report func(Transfer), name string, total int64) *transfer {
	if report == nil {
		report = func(Transfer) {}
	}
	return &transfer{Transfer: Transfer{Name: name, Total: total}, report: report}
}

// Write counts p.
func (t *transfer) Write(p []byte) (int, error) {
	t.Done += int64(len(p))
	t.report(t.Transfer)
	return len(p), nil
}

// finish reports the transfer's outcome.
func (t *transfer) finish(outcome string) {
	t.Outcome = outcome
	t.report(t.Transfer)
}
