// The end-to-end test's service image (docs/e2e.md): serves /healthz, /readyz and / on $PORT,
// which the platform sets in each service's ConfigMap. Built with `-X main.ready=false` it never
// becomes ready: the deliberately broken release. `app get <url>` is the HTTP client the
// NetworkPolicy checks run in a pod of the same image (it exits 0 on a 2xx answer, 1 otherwise).
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

// ready is "false" in the broken build (-ldflags "-X main.ready=false").
var ready = "true"

func main() {
	if len(os.Args) == 3 && os.Args[1] == "get" {
		os.Exit(get(os.Args[2]))
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	name := os.Getenv("SERVICE_NAME")
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if ready != "true" {
			http.Error(w, "never ready (broken build)", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintf(w, "hello from %s\n", name) })
	server := &http.Server{Addr: ":" + port, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("%s listening on :%s (ready=%s)\n", name, port, ready)
	if err := server.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// get asks url once, within five seconds: 0 on a 2xx answer, 1 otherwise.
func get(url string) int {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer resp.Body.Close()
	fmt.Println(resp.Status)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return 1
	}
	return 0
}
