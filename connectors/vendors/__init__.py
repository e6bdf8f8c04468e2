"""One package per vendor (`<kind>/`), each with a `register()` that calls
`connectors.registry.register_vendor(...)`; ConnectorsConfig.ready() calls every one."""
