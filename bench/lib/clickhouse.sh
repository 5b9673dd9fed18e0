# Sourced by bench scripts: a private ClickHouse server (Debian's clickhouse-server) on loopback
# ports with its own config and data directory, for side-by-side peer runs.
#
#   source bench/lib/clickhouse.sh
#   clickhouse_start DIR      # starts it under DIR; sets CH_HTTP_PORT, CH_PID; waits until ready
#   chq 'SQL'                 # runs one statement over HTTP, prints the result; fails loudly
#   clickhouse_stop
#
# Installs clickhouse-server from Debian when it is missing.

CH_BIN=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
if [ ! -x "$CH_BIN" ]; then
  echo "installing clickhouse-server (Debian package) for the peer figures" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clickhouse-server >/dev/null
fi

clickhouse_free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

clickhouse_start() {
  local ch=$1
  mkdir -p "$ch"
  CH_HTTP_PORT=$(clickhouse_free_port)
  local tcp_port
  tcp_port=$(clickhouse_free_port)
  cat >"$ch/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$ch/server.log</log><errorlog>$ch/server.err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$CH_HTTP_PORT</http_port>
  <tcp_port>$tcp_port</tcp_port>
  <path>$ch/data/</path>
  <tmp_path>$ch/tmp/</tmp_path>
  <user_files_path>$ch/user_files/</user_files_path>
  <format_schema_path>$ch/format_schemas/</format_schema_path>
  <users_config>$ch/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>200</max_concurrent_queries>
  <timezone>UTC</timezone>
</yandex>
XML
  cat >"$ch/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>8000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  "$CH_BIN" --config-file="$ch/config.xml" >"$ch/stdout.log" 2>&1 &
  CH_PID=$!
  for _ in $(seq 1 100); do chq 'SELECT 1' >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "clickhouse did not start: $(tail -5 "$ch/server.err.log" 2>/dev/null)" >&2
  return 1
}

chq() { curl -sS --fail-with-body --data-binary "$1" "http://127.0.0.1:$CH_HTTP_PORT/"; }

clickhouse_stop() {
  [ -n "${CH_PID:-}" ] && kill "$CH_PID" 2>/dev/null && wait "$CH_PID" 2>/dev/null
  CH_PID=
  return 0
}
