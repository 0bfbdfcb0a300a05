package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// daemon is the visiond process under test.
type daemon struct {
	cmd     *exec.Cmd
	url     string
	logPath string
}

// startDaemon starts `visiond serve` with coco-ssd and posenet on a free local port, with
// threads per inference, its log in a temporary file, and waits until it is ready.
func startDaemon(ctx context.Context, o options, threads int) (*daemon, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	args := []string{"serve", "--addr", addr, "--models", "coco-ssd,posenet", "--dir", o.dir,
		"--workers", strconv.Itoa(o.workers), "--threads", strconv.Itoa(threads)}
	if o.ortLib != "" {
		args = append(args, "--ort-lib", o.ortLib)
	}
	args = append(args, o.extraArgs...)
	logFile, err := os.CreateTemp("", "visiond-loadtest-*.log")
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child keeps its own descriptor
	d := &daemon{cmd: exec.Command(o.visiond, args...), url: "http://" + addr, logPath: logFile.Name()}
	d.cmd.Stdout, d.cmd.Stderr = logFile, logFile
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // no orphan if loadgen dies
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting visiond (make build first): %w", err)
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(d.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d, nil
			}
		}
		if err := ctx.Err(); err != nil || time.Now().After(deadline) || d.exited() {
			log, _ := os.ReadFile(d.logPath)
			d.stop()
			return nil, fmt.Errorf("visiond did not become ready:\n%s", log)
		}
	}
}

// exited reports whether the process has ended.
func (d *daemon) exited() bool { return d.cmd.Process.Signal(syscall.Signal(0)) != nil }

// stop ends the daemon with SIGTERM, as an operator would. Its log is kept, and its path
// printed, only when the daemon did not stop cleanly.
func (d *daemon) stop() {
	d.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { d.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		d.cmd.Process.Kill()
		<-done
	}
	if d.cmd.ProcessState.Success() {
		os.Remove(d.logPath)
	} else {
		fmt.Fprintf(os.Stderr, "loadgen: visiond %v; its log: %s\n", d.cmd.ProcessState, d.logPath)
	}
}

// rss reads the daemon's resident set size from /proc.
func (d *daemon) rss() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	return parseVmRSS(b)
}

// cpu is the CPU time the daemon has used, from /proc/PID/stat (utime + stime, in the
// kernel's USER_HZ of 100 ticks per second).
func (d *daemon) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", d.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime + stime from a /proc/PID/stat line.
func parseStatCPU(stat []byte) time.Duration {
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:] // the command name may hold spaces
	}
	f := strings.Fields(s) // from field 3, the state
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// parseVmRSS finds the VmRSS line of /proc/PID/status, in bytes.
func parseVmRSS(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS line in /proc status")
}
