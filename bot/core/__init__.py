"""The chat-neutral core: messages, commands, the router and the seams (Protocols) the
sources, renderers, chat services and the service wiring all depend on."""
