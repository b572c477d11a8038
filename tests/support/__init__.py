"""What the tests share: paths to the vendored material, servers, ports and fuzz inputs."""
