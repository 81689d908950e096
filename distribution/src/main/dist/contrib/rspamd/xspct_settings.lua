--[[
xspct-db settings for Rspamd: asks POST /v1/rspamd-settings for the settings of a message's envelope and applies
the answer. Configure in the `xspct_settings` section:

  xspct_settings {
    url = "http://127.0.0.1:11350/v1/rspamd-settings";
    api_header = "X-Api-Key";      # xspct_db_api_header
    api_key = "...";               # one of xspct_db_api_key
    encode = "json";               # or "messagepack" (needs the msgpack codec plugin)
    timeout = 1.0;
  }
]]--

local rspamd_http = require "rspamd_http"
local rspamd_logger = require "rspamd_logger"
local lua_util = require "lua_util"
local ucl = require "ucl"

local N = 'xspct_settings'
local opts = rspamd_config:get_all_opt(N)
if not opts or not opts.url then
  rspamd_logger.infox(rspamd_config, '%s: no url configured, module disabled', N)
  return
end
local encode = opts.encode or 'json'
local ctype = encode == 'messagepack' and 'application/msgpack' or 'application/json'

local function apply(task, s)
  -- the same steps as Rspamd's settings module: settings object, then score overrides as results
  task:set_settings(s)
  if type(s.symbols) == 'table' then
    for k, v in pairs(s.symbols) do
      if type(k) == 'string' and tonumber(v) then
        task:insert_result(k, tonumber(v))
      end
    end
  end
  if type(s.subject) == 'string' then
    task:set_metric_subject(s.subject)
  end
end

local function request(task)
  local req = { uid = task:get_uid() }
  local from = task:get_from('smtp')
  req.from = (from and from[1] and from[1].addr) or ''
  local rcpts = task:get_recipients('smtp')
  if rcpts and #rcpts > 0 then
    req.rcpts = {}
    for _, r in ipairs(rcpts) do
      table.insert(req.rcpts, r.addr)
    end
  end
  local mta = task:get_request_header('MTA-Name')
  if mta then
    req['mta-name'] = tostring(mta)
  end
  local sid = task:get_request_header('Settings-ID')
  if sid then
    req['settings-id'] = tostring(sid)
  end

  local body = ucl.to_format(req, encode == 'messagepack' and 'msgpack' or 'json-compact')
  local headers = { ['Content-Type'] = ctype, ['Accept'] = ctype, ['X-Rspamd-ID'] = task:get_uid() }
  headers[opts.api_header or 'X-Api-Key'] = opts.api_key

  rspamd_http.request({
    task = task,
    url = opts.url,
    method = 'post',
    body = body,
    headers = headers,
    timeout = opts.timeout or 1.0,
    callback = function(err, code, data)
      if err or code ~= 200 then
        rspamd_logger.errx(task, '%s: no settings from xspct-db: %s (HTTP %s)', N, err, code)
        return
      end
      local parser = ucl.parser()
      local ok, perr = parser:parse_text(data, encode == 'messagepack' and 'msgpack' or nil)
      if not ok then
        rspamd_logger.errx(task, '%s: unreadable answer: %s', N, perr)
        return
      end
      local s = parser:get_object()
      apply(task, s)
      rspamd_logger.infox(task, '%s: applied settings for %s recipients', N, req.rcpts and #req.rcpts or 0)
    end,
  })
end

rspamd_config:register_symbol({
  name = 'XSPCT_SETTINGS',
  type = 'prefilter',
  callback = request,
  priority = lua_util.symbols_priorities.top,
  flags = 'empty,nostat',
})
