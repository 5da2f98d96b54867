// Checks the engine's core-language expectations against Go's text/template.
//
//	go run golden.go cases.json
//
// cases.json is the list of Go-checkable cases (template, data, expected output or error) dumped
// from the Swift case table; data numbers are tagged {"$i": n} (int) or {"$f": x} (float64) so
// that Go sees the same types as the Swift engine. Prints every disagreement and a summary.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
)

type testCase struct {
	Name     string      `json:"name"`
	Template string      `json:"template"`
	Data     interface{} `json:"data"`
	Output   *string     `json:"output"`
	Error    *string     `json:"error"`
}

func untag(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		if n, ok := x["$i"]; ok && len(x) == 1 {
			return int(n.(float64))
		}
		if f, ok := x["$f"]; ok && len(x) == 1 {
			return f.(float64)
		}
		m := map[string]interface{}{}
		for k, e := range x {
			m[k] = untag(e)
		}
		return m
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = untag(e)
		}
		return out
	}
	return v
}

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var cases []testCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		panic(err)
	}
	bad := 0
	for _, c := range cases {
		var got string
		var gotErr error
		t, err := template.New("t").Parse(c.Template)
		if err != nil {
			gotErr = err
		} else {
			var b strings.Builder
			gotErr = t.Execute(&b, untag(c.Data))
			got = b.String()
		}
		switch {
		case c.Output != nil && gotErr != nil:
			fmt.Printf("%s: want output %q, Go error %v\n", c.Name, *c.Output, gotErr)
			bad++
		case c.Output != nil && got != *c.Output:
			fmt.Printf("%s: want output %q, Go output %q\n", c.Name, *c.Output, got)
			bad++
		case c.Error != nil && gotErr == nil:
			fmt.Printf("%s: want error %q, Go output %q\n", c.Name, *c.Error, got)
			bad++
		case c.Error != nil && gotErr.Error() != *c.Error:
			fmt.Printf("%s: want error %q\n   Go error %q\n", c.Name, *c.Error, gotErr.Error())
			bad++
		}
	}
	fmt.Printf("%d cases checked against Go, %d disagreements\n", len(cases), bad)
}
