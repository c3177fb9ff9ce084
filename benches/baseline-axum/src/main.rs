//! A bare axum handler per route, doing the one query the generated service's route does and
//! nothing else: no validation, idempotency, audit, outbox, auth or rate limiting. The load
//! benchmark compares the generated service with this, in the same run.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::Row;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL")?;
    let port: u16 = std::env::var("PORT")?.parse()?;
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(10).connect(&url).await?;
    let app = Router::new().route("/v1/customers", post(create)).route("/v1/customers/{id}", get(read)).with_state(pool);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

async fn read(State(pool): State<PgPool>, Path(id): Path<uuid::Uuid>) -> Result<Json<Value>, StatusCode> {
    let row =
        sqlx::query("SELECT id, email, name, country, risk_level, created_at::text AS created_at, version FROM customers WHERE id = $1")
            .bind(id)
            .fetch_optional(&pool)
            .await
            .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?
            .ok_or(StatusCode::NOT_FOUND)?;
    Ok(Json(json!({
        "id": row.get::<uuid::Uuid, _>("id"),
        "email": row.get::<String, _>("email"),
        "name": row.get::<String, _>("name"),
        "country": row.get::<String, _>("country"),
        "risk_level": row.get::<String, _>("risk_level"),
        "created_at": row.get::<String, _>("created_at"),
        "version": row.get::<i64, _>("version"),
    })))
}

async fn create(State(pool): State<PgPool>, Json(body): Json<Value>) -> Result<(StatusCode, Json<Value>), StatusCode> {
    let id = uuid::Uuid::now_v7();
    sqlx::query("INSERT INTO customers (id, email, name, country) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(body["email"].as_str().unwrap_or_default())
        .bind(body["name"].as_str().unwrap_or_default())
        .bind(body["country"].as_str().unwrap_or_default())
        .execute(&pool)
        .await
        .map_err(|_| StatusCode::CONFLICT)?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}
