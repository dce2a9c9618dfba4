// Package noorchard does not use Orchard: its go statements are its own.
package noorchard

func work() {}

func f() { go work() }
