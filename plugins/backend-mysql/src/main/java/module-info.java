/**
 * The {@code mysql} backend: one prepared statement per lookup batch over a HikariCP pool (MySQL Connector/J).
 */
module xspct.backend.mysql {
    requires xspct.api;
    requires java.sql;
    requires java.logging; // DataSource.getParentLogger
    requires com.zaxxer.hikari;
    requires mysql.connector.j;
    // the change feed's migrations; flyway.mysql is found by Flyway's ServiceLoader in this layer
    requires flyway.core;

    provides xspct.api.BackendProvider with xspct.backend.mysql.MysqlBackendProvider;
}
