module github.com/seed-fe72f376/orchard

go 1.26

require go.uber.org/goleak v1.3.0
