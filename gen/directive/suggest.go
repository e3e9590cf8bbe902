package directive

import "strings"

// suggest returns the candidate nearest to s, if it is near enough to be a
// plausible typo: equal ignoring case, or within a small edit distance.
func suggest(s string, candidates []string) (string, bool) {
	ls := strings.ToLower(s)
	best, bestD := "", -1
	for _, c := range candidates {
		d := distance(ls, c)
		if d*3 > len(c)+1 || d > 2 {
			continue // too far: "x" is not a typo of "ask"
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD >= 0
}

// distance is the Levenshtein distance between a and b, in bytes, with a
// transposition of two neighbours counting as one edit.
func distance(a, b string) int {
	// prev2, prev and cur are rows i-2, i-1 and i of the edit matrix.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
