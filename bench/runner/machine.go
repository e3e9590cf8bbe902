package runner

import (
	"bufio"
	"bytes"
	"os"
	goruntime "runtime"
	"strings"
)

// Machine describes the machine and the Go build this process runs on.
func Machine() Header {
	return Header{
		CPU:       CPUModel(),
		NumCPU:    goruntime.NumCPU(),
		MaxProcs:  goruntime.GOMAXPROCS(0),
		GoVersion: goruntime.Version(),
		GOOS:      goruntime.GOOS,
		GOARCH:    goruntime.GOARCH,
	}
}

// CPUModel returns the first "model name" of /proc/cpuinfo, or "unknown CPU" where there is none.
func CPUModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	return modelName(data)
}

func modelName(cpuinfo []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(cpuinfo))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(val)
		}
	}
	return "unknown CPU"
}
