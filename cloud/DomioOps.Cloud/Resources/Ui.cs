namespace DomioOps.Cloud.Resources;

/// <summary>
/// The words of the web application: <c>Ui.resx</c> (English) and <c>Ui.ru.resx</c> (Russian), read through
/// <c>IStringLocalizer&lt;Ui&gt;</c>. Every key is in both files (a test holds them to it).
/// </summary>
internal sealed class Ui;
