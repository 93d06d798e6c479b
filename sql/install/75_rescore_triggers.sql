-- What queues customers for rescoring among crisk's own tables: a change to
-- a customer's invoices, account, events, financial statements, disputes
-- or promises to pay queues that customer (a dispute resolved lets its
-- invoice raise the overdue alert it was spared; a promise recorded or
-- changed may change broken_promises_12m); pointing crisk at another ledger (crisk.set_ledger, which
-- writes crisk.ledger_source) queues everyone.  An ERP's own tables are
-- added with crisk.track_changes().  Changes a rescoring pass makes itself
-- (recalibrated limits) queue nobody.

CREATE TRIGGER crisk_track_changes
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.invoice
    FOR EACH ROW EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');
CREATE TRIGGER crisk_track_truncate
    AFTER TRUNCATE ON crisk.invoice
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');

CREATE TRIGGER crisk_track_changes
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.account
    FOR EACH ROW EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');
CREATE TRIGGER crisk_track_truncate
    AFTER TRUNCATE ON crisk.account
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');

CREATE TRIGGER crisk_track_changes
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.event
    FOR EACH ROW EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');
CREATE TRIGGER crisk_track_truncate
    AFTER TRUNCATE ON crisk.event
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');

CREATE TRIGGER crisk_track_changes
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.financials
    FOR EACH ROW EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');
CREATE TRIGGER crisk_track_truncate
    AFTER TRUNCATE ON crisk.financials
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');

CREATE TRIGGER crisk_track_changes
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.dispute
    FOR EACH ROW EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');
CREATE TRIGGER crisk_track_truncate
    AFTER TRUNCATE ON crisk.dispute
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');

CREATE TRIGGER crisk_track_changes
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.promise
    FOR EACH ROW EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');
CREATE TRIGGER crisk_track_truncate
    AFTER TRUNCATE ON crisk.promise
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');

CREATE TRIGGER crisk_track_changes
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.ledger_source
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger();

-- Every pass updates each customer's crisk.score row; with room left on
-- each page the update stays on the page (a HOT update, no index entry to
-- add), which halves its cost for a daily full pass.
ALTER TABLE crisk.score SET (fillfactor = 50);
