-- Test init for the two-file project in tests/neovim/test_neovim_e2e.py:
--   nvim --headless --clean -u project_test.lua
--
-- train.py fits a model that models.py builds. Opens train.py, waits for kerasls's KLS101 at
-- the fit, opens models.py and waits for KLS101 on its Dense(1), goes back to train.py and
-- applies the preferred quick fix there (it edits models.py, unsaved), then waits until
-- train.py's finding is gone. Writes what it saw to a JSON file.
--
-- Environment: KERASLS_TEST_PYTHON, KERASLS_TEST_DIR (the project), KERASLS_TEST_OUT,
-- KERASLS_TEST_BUDGET_MS.

vim.g.loaded_python3_provider = 0

local here = vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2))
local repo = vim.fs.normalize(here .. '/../..')
dofile(repo .. '/editors/neovim/kerasls.lua')
vim.lsp.config('kerasls', { cmd = { assert(vim.env.KERASLS_TEST_PYTHON), '-m', 'kerasls', 'serve' } })

local dir = assert(vim.env.KERASLS_TEST_DIR)
local out_path = assert(vim.env.KERASLS_TEST_OUT)
local deadline = vim.uv.now() + tonumber(vim.env.KERASLS_TEST_BUDGET_MS or '90000')
local record = { steps = {} }

local function wait(what, condition)
  local left = deadline - vim.uv.now()
  if left <= 0 or not vim.wait(left, condition, 50) then
    error(('timed out waiting for %s'):format(what), 0)
  end
  table.insert(record.steps, what)
end

local function kls101(bufnr)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'kerasls' and d.code == 'KLS101' then
      return d
    end
  end
end

local function scenario()
  vim.cmd.edit(vim.fn.fnameescape(dir .. '/train.py'))
  local train = vim.api.nvim_get_current_buf()
  wait('KLS101 in train.py', function()
    return kls101(train) ~= nil
  end)
  local at_fit = kls101(train)
  record.train_line = at_fit.lnum + 1
  local related = at_fit.user_data.lsp.relatedInformation or {}
  record.related_uri = related[1] and related[1].location.uri or vim.NIL

  vim.cmd.edit(vim.fn.fnameescape(dir .. '/models.py'))
  local models = vim.api.nvim_get_current_buf()
  wait('KLS101 in models.py', function()
    return kls101(models) ~= nil
  end)
  record.models_line = kls101(models).lnum + 1

  vim.cmd.buffer(train)
  local d = kls101(train)
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  local tick = vim.api.nvim_buf_get_changedtick(models)
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      return action.isPreferred == true
    end,
  })
  wait('the fix to edit models.py', function()
    return vim.api.nvim_buf_get_changedtick(models) ~= tick
  end)
  -- The server analyses train.py again with models.py's unsaved buffer. Neovim 0.11 pulls
  -- diagnostics and has no workspace/diagnostic/refresh: it asks again when train.py changes
  -- or is saved, so save it (unchanged), as a user's next :w would.
  vim.cmd.write()
  wait('KLS101 to go from train.py', function()
    return kls101(train) == nil
  end)
  record.models_text = table.concat(vim.api.nvim_buf_get_lines(models, 0, -1, true), '\n')
  record.models_modified = vim.bo[models].modified
end

local function finish(ok, message)
  record.ok = ok
  record.error = message or vim.NIL
  vim.fn.writefile({ vim.json.encode(record) }, out_path)
  vim.cmd(ok and 'qa!' or 'cquit! 3')
end

-- After startup, as a user opening files would: the LSP client attaches on FileType.
vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, message = xpcall(scenario, debug.traceback)
      finish(ok, not ok and message or nil)
    end)
  end,
})
