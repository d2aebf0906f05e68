namespace Pipeline.Application.Storage;

/// <summary>Which storage the pipeline uses and where its data lives, as the start-up log and <c>/health</c>
/// say.</summary>
/// <param name="Kind">For example <c>embedded Azurite</c> or <c>configured account</c>.</param>
/// <param name="Location">Where the data lives: a folder, <c>memory</c>, or the account's endpoint.</param>
/// <param name="Persistent">Whether the data outlives this process.</param>
public sealed record StorageDescription(string Kind, string Location, bool Persistent);
