// Command step-ca runs smallstep's step-ca 0.19 from the sources Debian 12 packages
// (golang-github-smallstep-certificates-dev), so that stepca-bench-sign can measure the original
// on the same machine as this project. Debian's package holds the CA's libraries but not its
// small command-line front end; this is that front end, reduced to what the benchmark uses:
//
//	step-ca <ca.json> --password-file <file>
package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"unicode"

	"github.com/smallstep/certificates/authority/config"
	"github.com/smallstep/certificates/ca"
)

func main() {
	if len(os.Args) != 4 || os.Args[2] != "--password-file" {
		fmt.Fprintln(os.Stderr, "usage: step-ca <ca.json> --password-file <file>")
		os.Exit(2)
	}
	configFile, passwordFile := os.Args[1], os.Args[3]
	cfg, err := config.LoadConfiguration(configFile)
	if err != nil {
		fail(err)
	}
	password, err := os.ReadFile(passwordFile)
	if err != nil {
		fail(err)
	}
	password = bytes.TrimRightFunc(password, unicode.IsSpace)
	server, err := ca.New(cfg, ca.WithConfigFile(configFile), ca.WithPassword(password))
	if err != nil {
		fail(err)
	}
	go ca.StopReloaderHandler(server)
	if err := server.Run(); err != nil && err != http.ErrServerClosed {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
