// Runs Porcupine (github.com/anishathalye/porcupine, built from its public repository; none of
// its code is copied here) on histories that bench/checker-porcupine.ts exported as JSON, with
// models written for this harness from the semantics in checkers/README.md: a cas register
// (etcd logs) and a kv map partitioned by key (get / put / append). Crashed calls return at the
// end of the history (they may take effect at any point after their invoke), as Porcupine's
// own etcd test does. Prints one line per file: path, verdict, check milliseconds.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/anishathalye/porcupine"
)

type op struct {
	Client int         `json:"c"`
	Kind   string      `json:"op"`
	Key    string      `json:"k"`
	A      interface{} `json:"a"`
	B      interface{} `json:"b"`
	Out    interface{} `json:"v"`
	Ok     bool        `json:"ok"`
	Crash  bool        `json:"crash"`
	Call   int64       `json:"call"`
	Ret    int64       `json:"ret"`
}

type file struct {
	Model string `json:"model"`
	Ops   []op   `json:"ops"`
	// The cas register's initial value (Knossos's corpus: 0); absent means nil.
	Init interface{} `json:"init"`
}

var casModel = porcupine.Model{
	Init: func() interface{} { return nil },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		in := input.(op)
		switch in.Kind {
		case "read":
			return in.Crash || in.Out == state, state
		case "write":
			return true, in.A
		default: // cas
			match := state == in.A
			if in.Crash {
				if match {
					return true, in.B
				}
				return true, state
			}
			if in.Ok {
				return match, in.B
			}
			return !match, state
		}
	},
}

// byKey partitions a kv history by key (P-compositionality), keys in order of first call.
func byKey(history []porcupine.Operation) [][]porcupine.Operation {
	groups := map[string][]porcupine.Operation{}
	var keys []string
	for _, o := range history {
		k := o.Input.(op).Key
		if _, seen := groups[k]; !seen {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], o)
	}
	out := make([][]porcupine.Operation, 0, len(keys))
	for _, k := range keys {
		out = append(out, groups[k])
	}
	return out
}

var kvModel = porcupine.Model{
	Partition: byKey,
	Init:      func() interface{} { return "" },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		in := input.(op)
		s := state.(string)
		switch in.Kind {
		case "get":
			out, _ := in.Out.(string)
			return in.Crash || out == s, s
		case "put":
			v, _ := in.A.(string)
			return true, v
		default: // append
			v, _ := in.A.(string)
			return true, s + v
		}
	},
}

func main() {
	timeout := 60 * time.Second
	if s := os.Getenv("PORCUPINE_TIMEOUT_S"); s != "" {
		if n, err := time.ParseDuration(s + "s"); err == nil {
			timeout = n
		}
	}
	for _, path := range os.Args[1:] {
		raw, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(254)
		}
		var f file
		if err := json.Unmarshal(raw, &f); err != nil {
			fmt.Fprintln(os.Stderr, path, err)
			os.Exit(254)
		}
		ops := make([]porcupine.Operation, len(f.Ops))
		for i, o := range f.Ops {
			ops[i] = porcupine.Operation{ClientId: o.Client, Input: o, Call: o.Call, Output: nil, Return: o.Ret}
		}
		model := casModel
		init := f.Init
		model.Init = func() interface{} { return init }
		if f.Model == "kv" {
			model = kvModel
		} else if f.Model == "kv-cas" {
			// A kv map of cas registers (bench/checker-1m.ts's 1M-op history): one per key.
			model = casModel
			model.Partition = byKey
		}
		start := time.Now()
		res := porcupine.CheckOperationsTimeout(model, ops, timeout)
		fmt.Printf("%s\t%s\t%.3f\n", path, res, float64(time.Since(start).Microseconds())/1000)
	}
}
