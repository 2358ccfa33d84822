-- A minimal stand-in for nvim-lspconfig (not installable here), enough to load
-- editors/neovim/lspconfig.lua the way the real plugin would: `configs.NAME = def`
-- registers a server, `require('lspconfig').NAME.setup(user)` merges user over the
-- defaults ('keep', as lspconfig does), resolves cmd[1] on PATH, and on the server's
-- filetypes starts a client with vim.lsp.start for the root that root_dir finds.
-- It checks the shape of the snippet and that its config drives the server; it is not
-- a test of nvim-lspconfig itself.

local util = {}

function util.root_pattern(...)
  local markers = { ... }
  return function(fname)
    return vim.fs.root(fname, markers)
  end
end

local configs = setmetatable({}, {
  __newindex = function(t, name, def)
    assert(type(def.default_config) == 'table', 'default_config must be a table')
    local server = { name = name, document_config = def }
    function server.setup(user)
      local config = vim.tbl_deep_extend('keep', user or {}, def.default_config)
      if type(config.cmd) == 'table' then
        local resolved = vim.fn.exepath(config.cmd[1])
        if resolved ~= '' then
          config.cmd[1] = resolved
        end
      end
      server.config = config
      vim.api.nvim_create_autocmd('FileType', {
        pattern = config.filetypes,
        callback = function(args)
          local fname = vim.api.nvim_buf_get_name(args.buf)
          local root = type(config.root_dir) == 'function' and config.root_dir(fname, args.buf) or config.root_dir
          if root == nil and not config.single_file_support then
            return
          end
          vim.lsp.start({
            name = name,
            cmd = config.cmd,
            root_dir = root,
            settings = config.settings,
            init_options = config.init_options,
            before_init = config.before_init,
            capabilities = config.capabilities,
          }, { bufnr = args.buf })
        end,
      })
    end
    rawset(t, name, server)
  end,
})

package.preload['lspconfig.util'] = function()
  return util
end
package.preload['lspconfig.configs'] = function()
  return configs
end
package.preload['lspconfig'] = function()
  return setmetatable({}, {
    __index = function(_, name)
      return configs[name]
    end,
  })
end
