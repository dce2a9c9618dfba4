package main

// Example runs the README's program and checks what it prints.
func Example() {
	main()
	// Output:
	// count: 1
	// crash: true
	// count after the restart: 1
}
