// The protocol core arrives with its state machines.
