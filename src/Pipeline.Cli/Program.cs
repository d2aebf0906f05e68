using Pipeline.Cli;

// The pipeline tool: every command, option and its help in Commands; what a mistake prints in ToolErrors.
return await Commands.Root().Parse(args).InvokeAsync();
