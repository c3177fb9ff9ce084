pub mod sql;
