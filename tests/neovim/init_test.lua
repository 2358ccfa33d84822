-- Test init for tests/neovim/test_neovim_e2e.py: nvim --headless --clean -u init_test.lua
--
-- Loads a shipped config from editors/neovim/, opens the seed file, waits for kerasls's
-- diagnostics, applies the preferred quick fix for each given code the way a user would
-- (vim.lsp.buf.code_action with apply = true and an isPreferred filter), and writes what
-- it saw to a JSON file. Every wait polls a condition with vim.wait under one deadline.
--
-- Environment (set by the test):
--   KERASLS_TEST_SETUP      'config' (kerasls.lua, default) or 'lspconfig' (lspconfig.lua
--                           through tests/neovim/lspconfig_stub.lua; cmd from PATH)
--   KERASLS_TEST_PYTHON     python that runs `-m kerasls serve` (setup 'config')
--   KERASLS_TEST_FILE       the file to open
--   KERASLS_TEST_OUT        where to write the JSON record
--   KERASLS_TEST_EXPECT     comma-separated codes to wait for after opening
--   KERASLS_TEST_FIX        comma-separated codes to fix, in order (may be empty)
--   KERASLS_TEST_BUDGET_MS  overall time for the scenario

-- The python ftplugin's has('python3') probes the python provider, which takes a second
-- or two behind pyenv shims; the scenario needs no provider.
vim.g.loaded_python3_provider = 0

local here = vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2))
local repo = vim.fs.normalize(here .. '/../..')
local setup = vim.env.KERASLS_TEST_SETUP or 'config'

if setup == 'lspconfig' then
  dofile(here .. '/lspconfig_stub.lua')
  dofile(repo .. '/editors/neovim/lspconfig.lua')
else
  dofile(repo .. '/editors/neovim/kerasls.lua')
  -- What a user does to run the server from a virtualenv: a second vim.lsp.config call.
  vim.lsp.config('kerasls', { cmd = { assert(vim.env.KERASLS_TEST_PYTHON), '-m', 'kerasls', 'serve' } })
end

local out_path = assert(vim.env.KERASLS_TEST_OUT)
local file = assert(vim.env.KERASLS_TEST_FILE)
local function codes(name)
  return vim.split(vim.env[name] or '', ',', { trimempty = true })
end
local expect, fix_codes = codes('KERASLS_TEST_EXPECT'), codes('KERASLS_TEST_FIX')
local deadline = vim.uv.now() + tonumber(vim.env.KERASLS_TEST_BUDGET_MS or '90000')

local record = {
  setup = setup,
  nvim_version = tostring(vim.version()),
  events = {}, -- timestamped traffic with the server and steps of the scenario, in order
  notifications = {}, -- vim.notify messages (e.g. "No code actions available")
  server_messages = {}, -- window/showMessage from the server
  fixes = {},
}

local function event(kind, extra)
  local e = vim.tbl_extend('force', { kind = kind, t = vim.uv.now() }, extra or {})
  table.insert(record.events, e)
end

-- How diagnostics arrive: pushed (publishDiagnostics) or pulled (textDocument/diagnostic).
for method, kind in pairs({
  ['textDocument/publishDiagnostics'] = 'push',
  ['textDocument/diagnostic'] = 'pull',
}) do
  local original = vim.lsp.handlers[method]
  vim.lsp.handlers[method] = function(err, result, ctx, config)
    local items = result and (result.diagnostics or result.items)
    event(kind, { count = items and #items or vim.NIL, error = err and err.message or nil })
    return original(err, result, ctx, config)
  end
end

vim.api.nvim_create_autocmd('LspNotify', {
  callback = function(args)
    event('sent', { method = args.data.method })
  end,
})
vim.api.nvim_create_autocmd('LspRequest', {
  callback = function(args)
    if args.data.request.type == 'pending' then
      event('request', { method = args.data.request.method })
    end
  end,
})

-- Requests from the server.
for _, method in ipairs({ 'workspace/configuration', 'client/registerCapability' }) do
  local original = vim.lsp.handlers[method]
  vim.lsp.handlers[method] = function(err, result, ctx, config)
    event('server_request', { method = method })
    return original(err, result, ctx, config)
  end
end

local show_message = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, result, ctx, config)
  table.insert(record.server_messages, { type = result.type, message = result.message })
  event('server_message', { message = result.message })
  return show_message(err, result, ctx, config)
end

local notify = vim.notify
vim.notify = function(msg, level, opts)
  table.insert(record.notifications, { message = tostring(msg), level = level })
  return notify(msg, level, opts)
end

-- With apply = true and exactly one action left after the filter, code_action applies it
-- directly; reaching the picker means the filter let several through.
vim.ui.select = function(items, _, on_choice)
  table.insert(record.notifications, { message = ('vim.ui.select called with %d items'):format(#items) })
  on_choice(nil)
end

local function wait(what, condition)
  local left = deadline - vim.uv.now()
  if left <= 0 or not vim.wait(left, condition, 50) then
    error(('timed out waiting for %s'):format(what), 0)
  end
end

local function client()
  return vim.lsp.get_clients({ bufnr = 0, name = 'kerasls' })[1]
end

-- Errors and warnings: the problems the quick fixes must clear (information notes stay).
local function kerasls_diagnostics()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.source == 'kerasls' and d.severity <= vim.diagnostic.severity.WARN then
      table.insert(found, d)
    end
  end
  table.sort(found, function(a, b)
    return a.lnum < b.lnum
  end)
  return found
end

-- The server answers a code action only for diagnostics of the document's current version.
local function fresh(diagnostics)
  local version = vim.lsp.util.buf_versions[vim.api.nvim_get_current_buf()]
  for _, d in ipairs(diagnostics) do
    local data = d.user_data and d.user_data.lsp and d.user_data.lsp.data
    if type(data) ~= 'table' or data.version ~= version then
      return false
    end
  end
  return true
end

local function has_codes(diagnostics, wanted)
  local seen = {}
  for _, d in ipairs(diagnostics) do
    seen[d.code] = true
  end
  for _, code in ipairs(wanted) do
    if not seen[code] then
      return false
    end
  end
  return true
end

local function find(code)
  for _, d in ipairs(kerasls_diagnostics()) do
    if d.code == code then
      return d
    end
  end
end

local function describe(d)
  local c = client()
  return {
    line = d.lnum + 1,
    col = d.col,
    code = d.code,
    message = d.message,
    source = d.source,
    severity = d.severity,
    pulled = c ~= nil and d.namespace == vim.lsp.diagnostic.get_namespace(c.id, true),
  }
end

local function scenario()
  vim.cmd.edit(vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  record.filetype = vim.bo[bufnr].filetype

  wait('kerasls to attach', function()
    local c = client()
    return c ~= nil and c.initialized
  end)
  local c = client()
  record.client = {
    name = c.name,
    root_dir = c.root_dir or vim.NIL,
    cmd = c.config.cmd,
    offset_encoding = c.offset_encoding,
    server_info = c.server_info or vim.NIL,
    diagnostic_provider = c.server_capabilities.diagnosticProvider ~= nil,
  }

  wait('the diagnostics ' .. table.concat(expect, ', '), function()
    local found = kerasls_diagnostics()
    return has_codes(found, expect) and fresh(found)
  end)
  record.diagnostics = vim.tbl_map(describe, kerasls_diagnostics())

  for _, code in ipairs(fix_codes) do
    local d = assert(find(code), code .. ' is not there any more')
    local line = d.lnum + 1
    local fix = {
      code = code,
      line = line,
      before = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, true)[1],
      offered = {},
    }
    table.insert(record.fixes, fix)
    vim.api.nvim_win_set_cursor(0, { line, d.col })
    local tick = vim.api.nvim_buf_get_changedtick(bufnr)
    event('code_action', { code = code })
    vim.lsp.buf.code_action({
      apply = true,
      filter = function(action)
        table.insert(fix.offered, {
          title = action.title,
          kind = action.kind or vim.NIL,
          isPreferred = action.isPreferred == true,
          documentChanges = action.edit ~= nil and action.edit.documentChanges ~= nil,
        })
        return action.isPreferred == true
      end,
    })
    wait('the ' .. code .. ' fix to edit the buffer', function()
      return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick
    end)
    event('edited', { code = code })
    wait(code .. ' to go away after its fix', function()
      local found = kerasls_diagnostics()
      return find(code) == nil and fresh(found)
    end)
    fix.after = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, true)[1]
    fix.remaining = vim.tbl_map(describe, kerasls_diagnostics())
  end

  if #fix_codes > 0 then
    wait('no errors or warnings left', function()
      return #kerasls_diagnostics() == 0
    end)
  end
  record.final_diagnostics = vim.tbl_map(describe, kerasls_diagnostics())
  record.text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, true), '\n')
end

local function finish(ok, message)
  record.ok = ok
  record.error = message or vim.NIL
  vim.fn.writefile({ vim.json.encode(record) }, out_path)
  vim.cmd(ok and 'qa!' or 'cquit! 3')
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, message = xpcall(scenario, debug.traceback)
      finish(ok, not ok and message or nil)
    end)
  end,
})
