"""Training scripts for the answer reader (not part of the service; run with `make train-reader`)."""
