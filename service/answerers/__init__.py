"""Answer writers: each turns a question and numbered evidence into a draft with [n] markers."""
