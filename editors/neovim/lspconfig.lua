-- kerasls through nvim-lspconfig's `configs` (Neovim 0.8 to 0.10, or setups built on
-- require('lspconfig')). On Neovim 0.11+ prefer kerasls.lua beside this file: it needs
-- no plugin, and newer nvim-lspconfig releases deprecate this framework.
--
-- Paste into your init.lua (or dofile() it) after nvim-lspconfig is loaded.

local configs = require('lspconfig.configs')
local util = require('lspconfig.util')

if not configs.kerasls then
  configs.kerasls = {
    default_config = {
      -- A python that has kerasls installed, e.g. '/path/to/project/.venv/bin/python'.
      cmd = { 'python3', '-m', 'kerasls', 'serve' },
      filetypes = { 'python' },
      root_dir = util.root_pattern('pyproject.toml', 'setup.py', '.git'),
      single_file_support = true,
      -- The server's settings (these are its defaults); answered on workspace/configuration.
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
      -- Send the same settings as initializationOptions, so the first analysis uses them.
      before_init = function(params, config)
        if params.initializationOptions == nil and config.settings then
          params.initializationOptions = config.settings.kerasls
        end
      end,
    },
    docs = {
      description = 'kerasls: a Keras-aware language server (label/model/loss/metric mismatches).',
    },
  }
end

-- Anything given here overrides the defaults above, e.g.
--   cmd = { '/path/to/project/.venv/bin/python', '-m', 'kerasls', 'serve' },
--   settings = { kerasls = { run = 'onSave' } },
require('lspconfig').kerasls.setup({})
