//! Input generators shared by the criterion benches. The benches themselves sit beside this folder and run
//! with `cargo bench` from the workspace root.
