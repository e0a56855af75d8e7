CREATE SCHEMA "alerting";
