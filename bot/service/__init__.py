"""The running bot: ingest, routing, commands, delivery, and the wiring of it all."""
