package main

import (
	"testing"
	"time"
)

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tvisiond\nVmPeak:\t 2000000 kB\nVmRSS:\t  167936 kB\nRssAnon:\t 100 kB\n"
	if got, err := parseVmRSS([]byte(status)); err != nil || got != 167936<<10 {
		t.Errorf("got %d, %v; want %d", got, err, 167936<<10)
	}
	if _, err := parseVmRSS([]byte("Name:\tx\n")); err == nil {
		t.Error("no VmRSS line, no error")
	}
}

func TestParseStatCPU(t *testing.T) {
	// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
	stat := "4242 (vision d) S 1 4242 4242 0 -1 4194560 9000 0 12 0 1234 56 0 0 20 0 9 0 100 0\n"
	if got := parseStatCPU([]byte(stat)); got != (1234+56)*10*time.Millisecond {
		t.Errorf("got %v, want %v", got, (1234+56)*10*time.Millisecond)
	}
}

func TestPercentile(t *testing.T) {
	p := &phase{}
	for i := 100; i >= 1; i-- {
		p.latencies = append(p.latencies, time.Duration(i)*time.Millisecond)
	}
	if p.percentile(50) != 50*time.Millisecond || p.percentile(99) != 99*time.Millisecond || p.percentile(100) != 100*time.Millisecond {
		t.Errorf("p50 %v p99 %v p100 %v", p.percentile(50), p.percentile(99), p.percentile(100))
	}
}

func TestRSSGrowth(t *testing.T) {
	const mib = 1 << 20
	flat := rssReport{samples: []int64{150 * mib, 160 * mib, 164 * mib, 170 * mib, 161 * mib}}
	grew := rssReport{samples: []int64{150 * mib, 160 * mib, 164 * mib, 190 * mib, 200 * mib}}
	if flat.grew() || !grew.grew() {
		t.Errorf("flat.grew() = %v, grew.grew() = %v", flat.grew(), grew.grew())
	}
}
