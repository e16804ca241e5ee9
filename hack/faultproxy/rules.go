package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// Rule selects requests by verb and resource and says what to do to them. Unset selector fields
// match anything; every matching rule applies (latencies add up, the first error wins).
//
//	{"verb": "create", "resource": "pods", "errorCode": 500, "errorRate": 0.3}
//	{"verb": "update,patch", "resource": "nodedaemons", "subresource": "status",
//	 "errorCode": 409, "errorEvery": 2}
//	{"verb": "watch", "resource": "pods", "watchDelay": "5s"}
//	{"verb": "watch", "resource": "pods", "watchCutAfter": "10s"}
//	{"latency": "200ms"}
//	{"verb": "create", "resource": "pods", "answerLatency": "3s"}
type Rule struct {
	// Verbs, comma-separated (get, list, watch, create, update, patch, delete, deletecollection).
	Verb     string `json:"verb,omitempty"`
	Resource string `json:"resource,omitempty"`
	// Subresource: absent matches any; "" matches only the resource itself.
	Subresource *string `json:"subresource,omitempty"`
	Namespace   string  `json:"namespace,omitempty"`

	// ErrorCode is answered instead of forwarding: to a fraction ErrorRate of the matching requests
	// (at random), or to every ErrorEvery-th one (2: every other, 1: all).
	ErrorCode  int     `json:"errorCode,omitempty"`
	ErrorRate  float64 `json:"errorRate,omitempty"`
	ErrorEvery int     `json:"errorEvery,omitempty"`

	// Latency is added before the request is forwarded.
	Latency Duration `json:"latency,omitempty"`
	// AnswerLatency forwards the request at once and holds the API server's answer back this
	// long (not for watches, nor for dry runs, which write nothing): the write is done while its
	// client still waits, so a client killed meanwhile never learns of it (answersLost).
	AnswerLatency Duration `json:"answerLatency,omitempty"`
	// WatchDelay holds every chunk of a watch stream back this long: events arrive late.
	WatchDelay Duration `json:"watchDelay,omitempty"`
	// WatchCutAfter aborts a watch stream's connection this long after it opened.
	WatchCutAfter Duration `json:"watchCutAfter,omitempty"`
}

func (r Rule) matches(req apiRequest) bool {
	if r.Verb != "" && !slices.Contains(strings.Split(r.Verb, ","), req.Verb) {
		return false
	}
	if r.Resource != "" && r.Resource != req.Resource {
		return false
	}
	if r.Subresource != nil && *r.Subresource != req.Subresource {
		return false
	}
	return r.Namespace == "" || r.Namespace == req.Namespace
}

func (r Rule) validate() error {
	if r.ErrorCode != 0 && (r.ErrorCode < 400 || r.ErrorCode > 599) {
		return fmt.Errorf("errorCode %d is not an HTTP error", r.ErrorCode)
	}
	if r.ErrorRate < 0 || r.ErrorRate > 1 {
		return fmt.Errorf("errorRate %v is not in [0, 1]", r.ErrorRate)
	}
	if r.ErrorCode != 0 && r.ErrorRate == 0 && r.ErrorEvery <= 0 {
		return fmt.Errorf("errorCode %d needs errorRate or errorEvery", r.ErrorCode)
	}
	return nil
}

// RuleStats counts what one rule did since the rules were last set.
type RuleStats struct {
	Rule           Rule  `json:"rule"`
	Matched        int64 `json:"matched"`
	Errors         int64 `json:"errors"`
	WatchesDelayed int64 `json:"watchesDelayed"`
	WatchesCut     int64 `json:"watchesCut"`
	// AnswersHeld: answers the API server gave that this rule held back; AnswersHolding: held
	// now; AnswersLost: held until the client had gone (it never received them).
	AnswersHeld    int64 `json:"answersHeld"`
	AnswersHolding int64 `json:"answersHolding"`
	AnswersLost    int64 `json:"answersLost"`
}

// Decision is what the rules say about one request.
type Decision struct {
	ErrorCode     int
	Latency       time.Duration
	AnswerLatency time.Duration
	WatchDelay    time.Duration
	WatchCutAfter time.Duration
	// onCut records a cut in the stats of the rule that asked for it.
	onCut func()
	// held counts the answer held back (AnswerLatency) in the rules that asked for it: +1 when
	// the hold starts, then once more with delivered (false: the client had gone).
	held func(start, delivered bool)
}

// RuleSet is the current rules and their counters; the control endpoint replaces it whole.
type RuleSet struct {
	mu    sync.Mutex
	stats []*RuleStats
}

func (s *RuleSet) Set(rules []Rule) error {
	for i, r := range rules {
		if err := r.validate(); err != nil {
			return fmt.Errorf("rule %d: %w", i, err)
		}
	}
	stats := make([]*RuleStats, len(rules))
	for i, r := range rules {
		stats[i] = &RuleStats{Rule: r}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = stats
	return nil
}

func (s *RuleSet) Stats() []RuleStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RuleStats, len(s.stats))
	for i, st := range s.stats {
		out[i] = *st
	}
	return out
}

func (s *RuleSet) Decide(req apiRequest) Decision {
	s.mu.Lock()
	defer s.mu.Unlock()
	var d Decision
	for _, st := range s.stats {
		r := st.Rule
		if !r.matches(req) {
			continue
		}
		st.Matched++
		if r.ErrorCode != 0 && d.ErrorCode == 0 {
			hit := (r.ErrorEvery > 0 && st.Matched%int64(r.ErrorEvery) == 0) ||
				(r.ErrorRate > 0 && rand.Float64() < r.ErrorRate)
			if hit {
				d.ErrorCode = r.ErrorCode
				st.Errors++
			}
		}
		d.Latency += r.Latency.D()
		if r.AnswerLatency > 0 && req.Verb != "watch" && !req.DryRun {
			d.AnswerLatency += r.AnswerLatency.D()
			previous, counted := d.held, st
			d.held = func(start, delivered bool) {
				if previous != nil {
					previous(start, delivered)
				}
				s.mu.Lock()
				defer s.mu.Unlock()
				switch {
				case start:
					counted.AnswersHeld++
					counted.AnswersHolding++
				case delivered:
					counted.AnswersHolding--
				default:
					counted.AnswersHolding--
					counted.AnswersLost++
				}
			}
		}
		if req.Verb == "watch" {
			if r.WatchDelay > 0 {
				d.WatchDelay += r.WatchDelay.D()
				st.WatchesDelayed++
			}
			if r.WatchCutAfter > 0 && (d.WatchCutAfter == 0 || r.WatchCutAfter.D() < d.WatchCutAfter) {
				d.WatchCutAfter = r.WatchCutAfter.D()
				counted := st
				d.onCut = func() {
					s.mu.Lock()
					defer s.mu.Unlock()
					counted.WatchesCut++
				}
			}
		}
	}
	return d
}

// Duration is a time.Duration written as Go writes durations in JSON: "5s", "200ms".
type Duration time.Duration

func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"5s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
