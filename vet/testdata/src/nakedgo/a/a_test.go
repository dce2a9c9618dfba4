package a

func inTest() {
	go work() // tests are not checked
}
