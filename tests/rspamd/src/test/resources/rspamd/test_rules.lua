-- a rule that always fires, so that disabling it through settings is visible in Rspamd's answer
rspamd_config:register_symbol({
  name = 'XSPCT_TEST_SYMBOL',
  score = 3.0,
  callback = function() return true end,
})
