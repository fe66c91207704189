// The deal board's drag and drop (HTML5): a card carries its deal id; a column takes it and tells the page, which moves
// the deal on the server. The "move to stage" select on each card does the same for the keyboard and for touch.
export function attach(host, page) {
    const dragStart = event => {
        const card = event.target.closest('[data-deal-id]');
        if (!card) {
            return;
        }
        event.dataTransfer.setData('text/plain', card.dataset.dealId);
        event.dataTransfer.effectAllowed = 'move';
    };
    const dragOver = event => {
        if (event.target.closest('[data-stage-id]')) {
            event.preventDefault();
            event.dataTransfer.dropEffect = 'move';
        }
    };
    const drop = event => {
        const column = event.target.closest('[data-stage-id]');
        const deal = event.dataTransfer.getData('text/plain');
        if (!column || !deal) {
            return;
        }
        event.preventDefault();
        page.invokeMethodAsync('Drop', Number(deal), Number(column.dataset.stageId));
    };
    host.addEventListener('dragstart', dragStart);
    host.addEventListener('dragover', dragOver);
    host.addEventListener('drop', drop);
    return {
        dispose() {
            host.removeEventListener('dragstart', dragStart);
            host.removeEventListener('dragover', dragOver);
            host.removeEventListener('drop', drop);
        },
    };
}
