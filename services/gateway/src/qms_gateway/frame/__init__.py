"""The gateway's shared frame: what every wing uses (read-model store, forwarding, directory)."""
