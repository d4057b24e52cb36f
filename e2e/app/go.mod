module github.com/acme-trading/hft-platform/e2e/app

go 1.24
