package main

import "net"

// freeRPCAddr picks a free loopback address for the embedded sandbox's
// JSON-RPC, which the console's Sessions screen reads the chain through
// (SessionCreated logs and the account's views, as in live mode). "" when
// none can be found: the console then runs without it and the Sessions
// screen says so.
func freeRPCAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ""
	}
	defer l.Close()
	return l.Addr().String()
}
