"""Training scripts for the answer reader (not part of the service: `make train-reader`)."""
