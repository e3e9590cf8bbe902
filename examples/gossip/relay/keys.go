package relay

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ParseKeys reads a relay's keys file: one server a line, its name and its
// hex-encoded key (see [NewKey]) separated by spaces; blank lines and lines
// beginning with '#' are skipped. file names the input in errors
// ("keys.txt:3: ...").
//
//	# name     key
//	server-a   5f0c…
//	server-b   91d2…
func ParseKeys(file string, r io.Reader) (map[string][]byte, error) {
	keys := make(map[string][]byte)
	var errs []error
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			errs = append(errs, fmt.Errorf("%s:%d: want a name and a key, got %d fields", file, n, len(fields)))
			continue
		}
		name := fields[0]
		if err := ValidName("server name", name); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", file, n, err))
			continue
		}
		key, err := ParseKey("the key of "+name, fields[1])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", file, n, err))
			continue
		}
		if _, dup := keys[name]; dup {
			errs = append(errs, fmt.Errorf("%s:%d: %s has a key already", file, n, name))
			continue
		}
		keys[name] = key
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", file, err))
	}
	if len(keys) == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%s: no keys", file))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return keys, nil
}
