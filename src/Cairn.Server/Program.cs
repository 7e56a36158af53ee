using Cairn.Server;

return await Cli.RunAsync(args);
