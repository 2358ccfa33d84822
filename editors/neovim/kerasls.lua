-- kerasls for Neovim 0.11+ (the built-in LSP client; no plugin needed).
--
-- Load it from your init.lua:
--     dofile('/path/to/kerasls/editors/neovim/kerasls.lua')
-- To change anything, call vim.lsp.config again after that line: tables are merged and
-- later calls win (so load this file before your own settings, not from plugin/), e.g.
--     vim.lsp.config('kerasls', {
--       cmd = { '/path/to/project/.venv/bin/python', '-m', 'kerasls', 'serve' },
--       settings = { kerasls = { run = 'onSave', severity = { KLS401 = 'hint' } } },
--     })
-- Setting $KERASLS_PYTHON to a python that has kerasls installed does the same for cmd.
-- For Neovim 0.10 and older, or nvim-lspconfig's `configs`, see lspconfig.lua beside this file.

if vim.fn.has('nvim-0.11') == 0 then
  vim.notify('kerasls.lua needs Neovim 0.11+; use editors/neovim/lspconfig.lua instead', vim.log.levels.WARN)
  return
end

local python = vim.env.KERASLS_PYTHON
if python == nil or python == '' then
  python = 'python3'
end

vim.lsp.config('kerasls', {
  cmd = { python, '-m', 'kerasls', 'serve' },
  filetypes = { 'python' },
  root_markers = { 'pyproject.toml', 'setup.py', '.git' },
  -- The server's settings; these are its defaults. [tool.kerasls] in pyproject.toml
  -- applies first, these override it (empty select/ignore leave pyproject's alone).
  settings = {
    kerasls = {
      enable = true,               -- false: analyse nothing, show nothing
      run = 'onType',              -- 'onType' (after `debounce` ms) or 'onSave'
      showSyntaxErrors = true,     -- show the syntax error while a line does not parse
      select = {},                 -- only these rules, e.g. { 'KLS101', 'KLS201' }
      ignore = {},                 -- never these rules
      severity = vim.empty_dict(), -- per rule: 'error', 'warning', 'information' or 'hint'
      debounce = 200,              -- milliseconds from the last keystroke to the analysis
      inlayHints = false,          -- true: the shape after each layer as an inlay hint (and vim.lsp.inlay_hint.enable(true))
    },
  },
  -- initializationOptions: the same settings as above (whatever they are after your
  -- overrides), so the first analysis already uses them. Give init_options yourself to
  -- send something else.
  before_init = function(params, config)
    if params.initializationOptions == nil and config.settings then
      params.initializationOptions = config.settings.kerasls
    end
  end,
})

vim.lsp.enable('kerasls')
