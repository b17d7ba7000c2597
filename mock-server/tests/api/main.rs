//! Behaviour of the mock over HTTP: one test binary, one module per concern.
//! `oneshot` modules drive the router in-process; `socket` and `binary` use real
//! loopback sockets (ephemeral ports) with the generated client and reqwest.

mod common;

mod auth;
mod binary;
mod conformance;
mod csv;
mod data;
mod etag;
mod faults;
mod front;
mod journal;
mod keys;
mod paging;
mod params;
mod report;
mod routing;
mod scenarios;
mod snapshots;
mod socket;
mod swagger;
