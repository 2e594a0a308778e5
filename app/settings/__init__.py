"""Settings kept between runs: the file and its writer."""
