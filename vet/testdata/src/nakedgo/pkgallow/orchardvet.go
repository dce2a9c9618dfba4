package pkgallow

//orchardvet:allow-package nakedgo this fixture's goroutines are all deliberate
